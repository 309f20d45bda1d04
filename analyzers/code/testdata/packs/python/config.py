"""Configuration libraries: the corpus of the config packs."""
from decouple import config
from environs import Env

env = Env()
DEBUG = config("DEBUG", default=False)
SEARCH_URL = env.str("SEARCH_URL", "http://search:9200")
API_URL = env.url("API_URL")
