"""Forms: validation only."""

from django import forms


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False)

    def page_number(self) -> int:
        return (self.cleaned_data.get("page") or 1) if self.is_valid() else 1
