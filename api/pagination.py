from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M``.  ``page_size`` above ``API_MAX_PAGE_SIZE`` (100) is capped to it;
    a page or page size that is not a whole number ≥ 1 answers 400, a page past the end 404."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        errors = {}
        for name in (self.page_query_param, self.page_size_query_param):
            values = request.query_params.getlist(name)
            if len(values) > 1:
                errors[name] = [_("Give this parameter once.")]
            elif values and not (values[0].isascii() and values[0].isdigit() and 0 < int(values[0]) < 2**31):
                errors[name] = [_("A whole number from 1.")]
        if errors:
            raise exceptions.ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page (20 by default; more than {self.max_page_size} give {self.max_page_size})."
                )
        return parameters
