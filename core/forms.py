from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Every form field renders through templates/includes/field.html.

    Django already ties errors and help text to the input (aria-describedby,
    aria-invalid); the template adds the portal's markup around them.
    """

    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"
