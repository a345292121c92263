"""Open311 clients someone else wrote, driving a Greenline server on loopback.

    .ci/open311-client.py target/debug/greenline

Two libraries from PyPI, each used as its authors meant:

- civicbot (its `Open311Client`): lists the services, reads a service's definition, checks the
  request against it (validate_remote) and files it with `attribute[sub_type]`, then reads it
  back, and after staff reply sees the reply as `status_notes`;
- georeport (`GeoReport`): the same reads in XML, parsed with xmltodict, from a base URL that
  ends in a slash as a city's published one might.

The server is the debug build on a fresh SQLite file: an office and a handler from the command
line, a client key from `greenline open311 client add`; staff reply through the JSON API. Any
difference from what the interface promises fails the run, loudly.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from civicbot.http import HttpTransport, RateLimiter
from civicbot.open311 import CONFIRM_TOKEN, Open311Client
from civicbot.registry import Endpoint
from georeport import GeoReport

PASSWORD = "Ci-open311-Passw0rd"
REPORTER = {"first_name": "慧敏", "last_name": "周", "phone": "13922223333",
            "email": "huimin.zhou@example.com"}


def fail(message):
    print(f"open311-client: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def run(binary, database, *args, stdin=None):
    done = subprocess.run([binary, "--database", database, *args], input=stdin,
                          capture_output=True, text=True, check=False)
    check(done.returncode == 0, f"greenline {' '.join(args)}: {done.stderr}")
    return done.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base, method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        fail(f"{method} {path}: {error.code} {error.read().decode()}")


def no_identity(what, text):
    for planted in ("周慧敏", "慧敏", "13922223333", "huimin.zhou", "example.com"):
        check(planted not in text, f"{what} shows the reporter ({planted}): {text[:400]}")


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/greenline")
    workdir = tempfile.mkdtemp(prefix="greenline-open311-")
    database = f"sqlite://{workdir}/open311.db"
    run(binary, database, "user", "add", "--username", "ci-handler", "--name", "接口测试",
        "--unit", "生态环境部信访办", "--region", "000000",
        "--role", "operator,handler,supervisor", "--password-stdin", stdin=PASSWORD + "\n")
    said = run(binary, database, "open311", "client", "add", "CI 客户端")
    key = next((line.split(" ", 1)[1] for line in said.splitlines()
                if line.startswith("api_key ")), None)
    check(key and key.startswith("glo_"), f"no key printed: {said}")

    port = free_port()
    site = f"http://127.0.0.1:{port}"
    env = dict(os.environ, GREENLINE_WEB__SECURE_COOKIES="false")
    log = open(f"{workdir}/serve.log", "w")
    server = subprocess.Popen([binary, "--database", database, "serve", "--listen",
                               f"127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT,
                              env=env, cwd=workdir)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(site + "/readyz", timeout=2)
                break
            except OSError:
                check(server.poll() is None, "the server stopped; see " + log.name)
                time.sleep(0.2)
        else:
            fail("the server did not become ready")
        drive(site, key)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    with open(f"{workdir}/serve.log", encoding="utf-8") as f:
        logged = f.read()
    check(key not in logged and key[4:20] not in logged, "the api_key reached the server's log")
    print("open311-client: ok (civicbot and georeport against the debug build)")


def drive(site, key):
    endpoint = Endpoint(id="greenline-ci", name="Greenline CI", base_url=f"{site}/open311/v2",
                        write=True, api_key_required_for_write=True)
    # No politeness delay against our own loopback server.
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0))
    client = Open311Client(endpoint, transport=transport, jurisdiction_id="")

    services = client.list_services()
    codes = [s["service_code"] for s in services]
    check("noise" in codes, f"services: {codes}")
    noise = next(s for s in services if s["service_code"] == "noise")
    check(noise["metadata"] is True and noise["service_name"] == "噪声", f"noise: {noise}")
    definition = client.get_service_definition("noise")
    sub_type = next(a for a in definition["attributes"] if a["code"] == "sub_type")
    check(sub_type["required"] and any(v["key"] == "construction" for v in sub_type["values"]),
          f"definition: {definition}")

    # The library checks the request against the live definition, then files it.
    sent = client.create_request(
        "noise", dry_run=False, confirm=CONFIRM_TOKEN, api_key=key, validate_remote=True,
        lat=22.5412, lng=113.9347, address_string="深圳市南山区科技园南区高新南七道",
        description="工地每天夜里十一点后还在打桩，严重影响休息。",
        attributes={"sub_type": "construction"}, device_id="ci", **REPORTER)
    answer = sent.response
    check(isinstance(answer, list) and answer and answer[0].get("service_request_id"),
          f"submission answer: {answer}")
    request_id = answer[0]["service_request_id"]
    no_identity("the submission's answer", json.dumps(answer, ensure_ascii=False))

    # The same library refuses, before sending, a request without the required attribute.
    try:
        client.create_request("noise", dry_run=True, validate_remote=True, lat=22.5412,
                              lng=113.9347, description="夜间施工")
        fail("a request without sub_type passed the library's check of our definition")
    except Exception as error:  # civicbot.open311.ValidationError
        check("sub_type" in str(error), f"unexpected refusal: {error}")

    read = client.get_request(request_id)
    check(read["service_request_id"] == request_id and read["status"] == "open"
          and read["service_code"] == "noise", f"read back: {read}")
    check(read["expected_datetime"].endswith("+08:00"), f"due date: {read}")
    check(client.get_token(request_id) == [{"service_request_id": request_id,
                                            "token": request_id}], "token")
    listed = client.list_requests(service_code="noise", status="open", page_size=10)
    check([r["service_request_id"] for r in listed] == [request_id], f"list: {listed}")

    # Staff accept, handle, conclude and reply through the JSON API.
    base = site
    token = api(base, "POST", "/api/v1/auth/login",
                {"username": "ci-handler", "password": PASSWORD})["token"]
    case_id = int(request_id.rsplit("-", 1)[1])
    reply = "经查属实，已责令工地停止夜间施工。"
    for command in ({"action": "accept"}, {"action": "handle"},
                    {"action": "conclude", "outcome": "substantiated", "findings": "夜间施工属实"},
                    {"action": "reply", "text": reply}):
        api(base, "POST", f"/api/v1/cases/{case_id}/transitions", command, token)

    read = client.get_request(request_id)
    check(read["status"] == "closed" and read["status_notes"] == reply,
          f"after the reply: {read}")

    # georeport reads the same in XML, from a base URL ending in a slash.
    geo = GeoReport(f"{site}/open311/v2/", jurisdiction=None, output_format="xml")
    xml_services = geo.get_service_list()
    check(any(s["service_code"] == "noise" for s in xml_services), f"XML services: {xml_services}")
    xml_definition = geo.get_service_definition("noise")
    check(xml_definition["service_code"] == "noise", f"XML definition: {xml_definition}")
    xml_request = geo.get_service_request(request_id)
    check(xml_request["status_notes"] == reply and xml_request["status"] == "closed",
          f"XML request: {xml_request}")
    xml_list = geo.get_service_requests(service_request_id=request_id)
    check(xml_list["service_request_id"] == request_id, f"XML list: {xml_list}")
    json_geo = GeoReport(f"{site}/open311/v2", output_format="json")
    check(json_geo.get_service_request(request_id)["status_notes"] == reply, "JSON georeport")

    for what, data in (("the JSON request", read), ("the XML request", xml_request),
                       ("the list", listed)):
        no_identity(what, json.dumps(data, ensure_ascii=False))


if __name__ == "__main__":
    main()
