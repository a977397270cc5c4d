"""Smart scenes (A-SCENE): "when <trigger> [and <condition>] then <actions>"."""
