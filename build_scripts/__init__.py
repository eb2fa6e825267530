"""Build steps that turn the curated MAPPA transcriptions into a data package and a website.

Data flows one way: curated/ -> load -> package -> datapackage/ -> charts, pages -> docs/ -> site/.
"""
