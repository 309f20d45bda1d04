"""FastAPI: the corpus of the fastapi pack."""
from fastapi import APIRouter, Depends, FastAPI, Security
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI(title="accounts")
router = APIRouter(prefix="/v1")
app.add_middleware(CORSMiddleware, allow_origins=["*"])


def get_current_user():
    return "u"


@app.get("/items/{item_id}")
def read_item(item_id: int, user=Depends(get_current_user)):
    return {"id": item_id}


@app.api_route("/legacy", methods=["GET", "POST"])
def legacy():
    return {}


@app.websocket("/ws")
async def ws(socket):
    await socket.accept()


@router.get("/me", dependencies=[Security(get_current_user)])
def me():
    return {}
