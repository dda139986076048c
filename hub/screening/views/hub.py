"""The hub's screening pages. (Being written.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


queue = decision = lowering_decide = chronology = _todo
