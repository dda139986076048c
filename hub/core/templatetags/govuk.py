"""Render Django form fields with the markup of the GOV.UK Design System."""

from django import forms, template
from django.forms.boundfield import BoundField

from hub.core.forms import GovukDateWidget

register = template.Library()


def _kind(widget: forms.Widget) -> str:
    if isinstance(widget, GovukDateWidget):
        return "date"
    # CheckboxSelectMultiple is a subclass of RadioSelect: test it first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


@register.inclusion_tag("core/includes/field.html")
def govuk_field(field: BoundField, label_class: str = "", input_class: str = "", heading: bool = False) -> dict:
    kind = _kind(field.field.widget)
    hint_id = f"{field.auto_id}-hint" if field.help_text else ""
    error_id = f"{field.auto_id}-error" if field.errors else ""
    described_by = " ".join(part for part in (hint_id, error_id) if part)
    widget_html = ""
    if kind in {"input", "textarea", "select", "file", "checkbox"}:
        base = {
            "input": "govuk-input",
            "textarea": "govuk-textarea",
            "select": "govuk-select",
            "file": "govuk-file-upload",
            "checkbox": "govuk-checkboxes__input",
        }[kind]
        classes = [base]
        if field.errors and kind != "checkbox":
            classes.append(f"{base}--error")
        if input_class:
            classes.append(input_class)
        attrs = {"class": " ".join(classes)}
        if described_by:
            attrs["aria-describedby"] = described_by
        widget_html = field.as_widget(attrs=attrs)
    elif kind == "date":
        # The date widget's template reads `error` to style its three boxes.
        widget_html = field.as_widget(attrs={"error": True} if field.errors else {})
    return {
        "field": field,
        "kind": kind,
        "hint_id": hint_id,
        "error_id": error_id,
        "described_by": described_by,
        "widget_html": widget_html,
        "label_class": label_class,
        "heading": heading,
        "first_id": _first_input_id(field, kind),
    }


def _first_input_id(field: BoundField, kind: str) -> str:
    if kind == "date":
        return f"{field.auto_id}_0"
    if kind in {"radios", "checkboxes"}:
        return f"{field.auto_id}_0"
    return field.auto_id


@register.filter
def error_anchor(field: BoundField) -> str:
    """The id the error summary links to: the first input of the field."""
    return _first_input_id(field, _kind(field.field.widget))


@register.simple_tag
def first_field_anchor(form: forms.BaseForm) -> str:
    """Where an error about the whole form (e.g. wrong password) links to."""
    for field in form.visible_fields():
        return error_anchor(field)
    return "main-content"
