import os

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "orders",
        "HOST": os.environ.get("DB_HOST", "orders-db"),
    }
}
CORS_ALLOW_ALL_ORIGINS = True
