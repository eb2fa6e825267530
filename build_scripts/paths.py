"""Where each stage reads and writes. Every path can be re-rooted (tests, benchmarks)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Paths:
    root: Path = REPO_ROOT

    @property
    def curated(self) -> Path:
        return self.root / "curated"

    @property
    def register(self) -> Path:
        return self.curated / "reports.csv"

    @property
    def report_files(self) -> Path:
        return self.curated / "reports"

    @property
    def url_manifest(self) -> Path:
        """published-urls.txt: every URL the site has published (build_scripts/inputs/urls.py)."""
        return self.root / "published-urls.txt"

    @property
    def corrections(self) -> Path:
        """The corrections log: written by make release, published as the corrections resource."""
        return self.curated / "corrections.csv"

    @property
    def correction_reasons(self) -> Path:
        """Per-figure reasons for corrections not yet released, read and emptied by make release."""
        return self.curated / "correction-reasons.csv"

    @property
    def metadata(self) -> Path:
        return self.root / "metadata"

    @property
    def schemas(self) -> Path:
        return self.metadata / "schemas"

    @property
    def datapackage(self) -> Path:
        return self.root / "datapackage"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    @property
    def cache(self) -> Path:
        return self.root / ".cache"

    @property
    def site(self) -> Path:
        return self.root / "site"
