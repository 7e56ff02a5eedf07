// The generated fetch client names the DOM's BodyInit, which @types/node does not declare globally.
type BodyInit = NonNullable<RequestInit['body']>;
