"""Tools the shop's agent may call (an MCP server), and the agent built on them."""
import subprocess

from langchain_community.agent_toolkits import FileManagementToolkit, load_tools
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("shop-tools")
REPORTS = {"sales": ["report", "--sales"], "stock": ["report", "--stock"]}


@mcp.tool()
def run_report(command: str) -> str:
    """Run a report."""
    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout  # vuln "CODE-LLM-004"


@mcp.tool()
def named_report(name: str) -> str:
    """Run one of the shop's reports."""
    if name not in REPORTS:
        raise ValueError(name)
    return subprocess.run(" ".join(REPORTS[name]), shell=True, capture_output=True, text=True).stdout  # ok "CODE-LLM-004"


def agent_tools():
    shell = load_tools(["terminal"])  # vuln "CODE-LLM-004"
    files = FileManagementToolkit(root_dir="/srv/agent")  # ok "CODE-LLM-004"
    everything = FileManagementToolkit()  # vuln "CODE-LLM-004"
    return shell, files, everything


if __name__ == "__main__":
    mcp.run()
