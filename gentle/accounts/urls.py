from django.urls import path

from gentle.accounts import views

urlpatterns = [
    path("people/", views.clinic_people_view, name="clinic_people"),
]
