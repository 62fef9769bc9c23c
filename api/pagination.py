from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination
from rest_framework.utils.urls import remove_query_param, replace_query_param


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M``.  ``page_size`` above ``API_MAX_PAGE_SIZE`` (100) is capped to it;
    a page or page size that is not a whole number ≥ 1 answers 400, a page past the end 404."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def check_parameters(self, request):
        errors = {}
        for name in (self.page_query_param, self.page_size_query_param):
            values = request.query_params.getlist(name)
            if len(values) > 1:
                errors[name] = [_("Give this parameter once.")]
            elif values and not (values[0].isascii() and values[0].isdigit() and 0 < int(values[0]) < 2**31):
                errors[name] = [_("A whole number from 1.")]
        if errors:
            raise exceptions.ValidationError(errors)

    def paginate_queryset(self, queryset, request, view=None):
        self.check_parameters(request)
        return super().paginate_queryset(queryset, request, view)

    def bounds(self, request, count):
        """(offset, limit) of the requested page of ``count`` rows, for views that count for themselves."""
        self.check_parameters(request)
        size = self.get_page_size(request)
        number = int(request.query_params.get(self.page_query_param, 1))
        pages = max(1, -(-count // size))
        if number > pages:
            raise exceptions.NotFound(_("Invalid page."))
        self.request, self._number, self._pages, self._count = request, number, pages, count
        return (number - 1) * size, size

    def envelope(self, results, url=None):
        """The paginated body for the page chosen by ``bounds``: count, next, previous, results.

        ``url`` is the address the links are built on (by default the request's own).
        """
        url = url or self.request.build_absolute_uri()
        following = replace_query_param(url, self.page_query_param, self._number + 1)
        if self._number == 2:
            preceding = remove_query_param(url, self.page_query_param)
        else:
            preceding = replace_query_param(url, self.page_query_param, self._number - 1)
        return {
            "count": self._count,
            "next": following if self._number < self._pages else None,
            "previous": preceding if self._number > 1 else None,
            "results": results,
        }

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page (20 by default; more than {self.max_page_size} give {self.max_page_size})."
                )
        return parameters
