"""Serving the built browser console (`web/dist`, copied to `server/static` by `make`) from an application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response

STATIC_DIR = Path(__file__).resolve().parent / "static"


def request_token(request: Request) -> str | None:
    """The access token of a request: `Authorization: Bearer TOKEN`, else the `token` query parameter."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.query_params.get("token")


def mount_console(app: FastAPI, static_dir: Path | None) -> None:
    """Serve the console's files (any other path gets its index.html) when a build is present."""
    if static_dir is None or not (static_dir / "index.html").is_file():
        return
    root = static_dir.resolve()

    @app.get("/{path:path}")
    async def console(path: str) -> Response:
        target = (root / path).resolve()
        if path and target.is_file() and root in target.parents:
            return FileResponse(target)
        return FileResponse(root / "index.html")
