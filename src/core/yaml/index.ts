export * from './parseManifests';
export * from './lineOfPath';
