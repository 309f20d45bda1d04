"""Model providers: the corpus of the ai packs."""
import anthropic
import openai
from langchain_anthropic import ChatAnthropic
from langchain_community.chat_models import ChatOpenAI as CommunityChatOpenAI
from langchain_openai import AzureChatOpenAI, ChatOpenAI
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamablehttp_client

client = openai.OpenAI()
client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hi")
client.embeddings.create(model="text-embedding-3-small", input="catalogue text")
client.responses.create(model="gpt-4o", input="Summarise")
openai.ChatCompletion.create(model="gpt-4", messages=[{"role": "user", "content": "hi"}])
azure = openai.AzureOpenAI(azure_endpoint="https://shop.openai.azure.com")
azure.chat.completions.create(model="gpt-4o", messages=[])
claude = anthropic.Anthropic()
claude.messages.create(model="claude-sonnet-4-5", max_tokens=10, messages=[])
claude.messages.stream(model="claude-sonnet-4-5", max_tokens=10, messages=[])
ChatOpenAI().invoke("hello")
AzureChatOpenAI().invoke("hello")
ChatAnthropic(model="claude").invoke("hello")
CommunityChatOpenAI().invoke("hello")


async def run():
    aclient = openai.AsyncOpenAI()
    await aclient.chat.completions.create(model="gpt-4o", messages=[])
    await aclient.responses.create(model="gpt-4o", input="x")
    await openai.AsyncAzureOpenAI().chat.completions.create(model="gpt-4o", messages=[])
    await anthropic.AsyncAnthropic().messages.create(model="claude", max_tokens=10, messages=[])
    await ChatOpenAI().ainvoke("hello")
    await ChatAnthropic(model="claude").ainvoke("hello")
    async with streamablehttp_client("http://tools:8000/mcp") as streams:
        pass
    async with sse_client("http://tools:8000/sse") as streams:
        pass
