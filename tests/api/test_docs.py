"""The OpenAPI document and the docs page, both served by the node itself (no CDN)."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_openapi_document_describes_every_operation_and_its_refusals(client, directory):
    document = client.get("/api/openapi.json").json()
    assert document["info"]["title"] == "trm"
    assert set(document["components"]["securitySchemes"]) == {"TokenAuth", "BrowserSession"}
    operations = [op for ops in document["paths"].values() for op in ops.values()]
    assert len(operations) >= 39
    for operation in operations:
        for status in ("401", "403", "404", "409", "422"):
            error = operation["responses"][status]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Error"}, operation["operationId"]
    scoped = document["paths"]["/api/cases/{case_id}/records"]["post"]["description"]
    assert "Token scope: `cases:write`" in scoped


def test_the_docs_page_loads_only_the_nodes_own_files(client, directory):
    page = client.get("/api/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.content.decode())
    assert sources
    for source in sources:
        assert source.startswith("/static/"), source
        assert client.get(source).status_code == 200, source
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]


@pytest.mark.browser
def test_the_docs_render_under_the_nodes_content_security_policy(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url)  # the CSP is enforced
    page = context.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error"
            else None)  # fmt: skip
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/api/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() >= 39
    assert problems == [], "no script or style was refused"
    context.close()
