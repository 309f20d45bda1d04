"""Files users upload and download."""
import os

from werkzeug.utils import secure_filename

BASE = "/srv/uploads"


def read_user_file(path):
    full = os.path.realpath(os.path.join(BASE, path))
    if not full.startswith(BASE + os.sep):
        raise PermissionError(path)
    with open(full, "rb") as fh:
        return fh.read()


def avatar(user):
    with open(os.path.join(BASE, "avatars", user + ".png"), "rb") as fh:  # want "CODE-INJ-003"
        data = fh.read()
    with open(os.path.join(BASE, "avatars", secure_filename(user)), "rb") as fh:
        return data + fh.read()
