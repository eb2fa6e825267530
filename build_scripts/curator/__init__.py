"""The curator's commands: new-report, compare-keyings, release and preview."""
