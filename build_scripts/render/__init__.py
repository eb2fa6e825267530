"""Renderers and escapers: what turns values into the bytes of pages, images and downloads."""
