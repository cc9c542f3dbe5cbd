export * from './certificates';
export * from './gateway-attachment';
export * from './ingress-controller';
export * from './ingress-controller-profile';
export * from './ingress-nginx';
export * from './secure-ingress';
export * from './secure-ingress-props';
export * from './security-headers';
