"""Entry point: `flask --app run run`, `python run.py`, or gunicorn (`make serve`: run:app)."""

import gc

gc.disable()  # no collector passes while the app is built (app.gc_paused)

from app import create_app  # noqa: E402

app = create_app()
# The built app lives as long as the process: keep it out of the collector's passes (and,
# under gunicorn's preload, out of the pages copied into each worker by those passes).
gc.freeze()
gc.enable()

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=5000)
