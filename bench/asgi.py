"""The app as served in benchmarks: the product plus the baseline endpoint."""
from bench import baseline
from core.web.app import create_app

app = create_app(extra_plugins=[("bench_baseline", baseline)])
