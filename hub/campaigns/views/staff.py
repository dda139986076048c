from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hub.accounts.decorators import staff_required
from hub.campaigns.models import Campaign


@staff_required("campaigns.view_campaign")
def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/staff/list.html", {"campaigns": Campaign.objects.all()})
