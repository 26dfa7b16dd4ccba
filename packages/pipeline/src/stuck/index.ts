export * from './stuck-report';
export * from './sweep-stuck';
