import pytest
from django.core import mail

from config.emails import send_email


@pytest.fixture
def password_template(settings, tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "hello_subject.txt").write_text(
        "{% load i18n %}{% translate 'Password changed' %}\n"
    )
    (tmp_path / "t" / "hello.txt").write_text(
        "Hi {{ name }} & co{% include 'emails/_footer.txt' %}"
    )
    (tmp_path / "t" / "hello.html").write_text(
        "<p>Hi {{ name }}</p>{% include 'emails/_footer.html' %}"
    )
    settings.TEMPLATES = [
        {**engine, "DIRS": [*engine["DIRS"], tmp_path]} for engine in settings.TEMPLATES
    ]


def test_send_email_renders_subject_text_html_with_crisis_line(password_template):
    send_email(to=["a@example.org"], template="t/hello", context={"name": "Ana"})
    message = mail.outbox[0]
    assert message.subject == "Password changed"
    assert "Hi Ana & co" in message.body and "988" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "<p>Hi Ana</p>" in html and 'href="tel:988"' in html
