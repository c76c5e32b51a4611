"""A local SageMaker hosting emulator speaking the real AWS protocol."""
