"""The platform emulator: one deterministic synthetic world seen through each platform's wire format.

``socialpulse.emulator.app.create_emulator_app(EmulatorConfig(...))`` builds the ASGI app;
``world.py`` holds the platform-neutral world, one module per platform renders it.
"""
