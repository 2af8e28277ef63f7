"""The example's API: a Flask app on port 8000 with the health check the load balancer asks."""

import hashlib
import os

from flask import Flask, jsonify
from werkzeug.serving import run_simple

app = Flask(__name__)


@app.get("/health")
def health():
    # HEALTH=fail makes a release that never becomes healthy: what a rollback is for.
    if os.environ.get("HEALTH") == "fail":
        return jsonify(status="failing", reason="HEALTH=fail"), 500
    return jsonify(status="ok")


@app.get("/")
def index():
    token = os.environ.get("API_TOKEN", "")
    return jsonify(
        service="flask-api",
        release=os.environ.get("RELEASE_ID", "dev"),
        # Which secret the task was given, without the secret: a digest of it.
        apiTokenSha256=hashlib.sha256(token.encode()).hexdigest() if token else None,
    )


if __name__ == "__main__":
    # Werkzeug's threaded server (Flask's own) is enough for an example; a production image
    # would put a WSGI server such as gunicorn in front of `app`.
    run_simple("0.0.0.0", int(os.environ.get("PORT", "8000")), app, threaded=True)
