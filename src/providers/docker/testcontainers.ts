// The part of testcontainers the docker provider uses, loaded lazily through this file (`await import('./testcontainers.js')`)
// by that path alone. Named static imports of the CommonJS package: the bundle (scripts/bundle.js) can then put it in
// the provider's chunks (a dynamic import of a CommonJS package gives a bundle its default export only).
export { GenericContainer, getContainerRuntimeClient, ImageName, Wait } from 'testcontainers';
