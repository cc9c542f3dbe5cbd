/** The protocol a backend speaks behind the ingress. */
export enum BackendProtocol {
  /** HTTP/1.1 (or h2c); an `HTTPRoute`, or a plain Ingress path. */
  HTTP = 'HTTP',
  /** gRPC; a `GRPCRoute`, or an Ingress path marked as gRPC for the controller. */
  GRPC = 'GRPC',
}
