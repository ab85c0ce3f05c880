"""The iot-tiers component provider (Pulumi runs this with the engine's address)."""

from iot_tiers.provider import main

if __name__ == "__main__":
    main()
