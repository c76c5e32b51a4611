"""Pulumi dynamic resources for Amazon SageMaker hosting: EndpointConfig and Endpoint."""
