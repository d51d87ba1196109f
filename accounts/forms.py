from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership


class SecondFactorForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class EnrolForm(forms.Form):
    token = forms.CharField(
        label=_("Code from the app"),
        max_length=6,
        min_length=6,
        help_text=_("After adding Kindred to your app, type the 6-digit code it shows."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=150)
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. A few unrelated words make a good password."),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            from accounts.models import User

            probe = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
