from django.contrib.auth.decorators import login_required, permission_required
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt


@login_required
def orders(request):
    return JsonResponse({})


@csrf_exempt
@permission_required("orders.view_order")
def order(request, pk):
    return JsonResponse({"pk": pk})
