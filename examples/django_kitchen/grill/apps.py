from django.apps import AppConfig


class GrillConfig(AppConfig):
    name = "grill"
    default_auto_field = "django.db.models.BigAutoField"
