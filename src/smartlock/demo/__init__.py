"""The demo: one command that runs a whole smartlock system on this machine.

`smartlock lock run` assembles one virtual lock (core + store + virtual hardware +
runtime + face engine + offline codes + link client); `smartlock demo` adds the
embedded broker, the cloud and a web panel per lock, so a person can try the
product end to end without hardware. See docs/demo.md.
"""
