from django.urls import include, path, re_path

from . import views

urlpatterns = [
    path("orders/", views.orders),
    re_path(r"^orders/(?P<pk>[0-9]+)/$", views.order),
    path("api/", include("api.urls")),
]
