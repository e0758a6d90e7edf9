"""Energy Edge Controller: IoT Edge modules that keep a site's grid connection balanced."""

__version__ = "0.1.0"
