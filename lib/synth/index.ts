export * from './synth-app';
