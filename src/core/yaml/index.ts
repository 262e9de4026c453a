export * from './parseManifests';
export * from './lineOfPath';
export * from './fastParseDocuments';
export * from './kubeYamlOptions';
