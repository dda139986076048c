"""The GOV.UK markup each kind of Django field gets from {% govuk_field %}."""

from django import forms
from django.template import Context, Template


class ChoicesForm(forms.Form):
    many = forms.MultipleChoiceField(
        label="Networks", choices=[("x", "X"), ("bluesky", "Bluesky")], widget=forms.CheckboxSelectMultiple
    )
    one = forms.ChoiceField(label="Mode", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)


def render(field_name: str, data=None) -> str:
    form = ChoicesForm(data)
    return Template("{% load govuk %}{% govuk_field field %}").render(Context({"field": form[field_name]}))


def test_multiple_choice_is_checkboxes_and_keeps_every_selection():
    # CheckboxSelectMultiple subclasses RadioSelect: once drawn as radios, only one could be chosen.
    html = render("many", {"many": ["x", "bluesky"]})
    assert 'class="govuk-checkboxes' in html and 'type="radio"' not in html
    assert html.count('type="checkbox"') == 2 and html.count(" checked") == 2


def test_single_choice_is_radios():
    html = render("one")
    assert 'class="govuk-radios' in html and html.count('type="radio"') == 2
