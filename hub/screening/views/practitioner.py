"""Practitioners' screening pages. (Being written.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


screening_list = screening_new = screening_detail = screening_edit = category_raise = category_lower = _todo
