"""Flask blueprints and extensions: the corpus of the flask packs."""
from flask import Blueprint, Flask
from flask_jwt_extended import jwt_required

app = Flask(__name__)
bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users", methods=["GET", "POST"])
def users():
    return []


@bp.get("/users/<uid>")
@jwt_required()
def user(uid):
    return {}


app.register_blueprint(bp)
