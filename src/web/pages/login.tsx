import type { FC } from 'hono/jsx';
import { Layout } from './layout.js';

export const LoginPage: FC<{ nonce: string; loginToken: string; next: string; error?: string | undefined; name?: string }> = ({
  nonce,
  loginToken,
  next,
  error,
  name,
}) => (
  <Layout title="Sign in" nonce={nonce} page="login">
    <div class="login">
      <h1>Sign in to radar</h1>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <form method="post" action="/login">
        <input type="hidden" name="_csrf" value={loginToken} />
        <input type="hidden" name="next" value={next} />
        <label for="name">Name</label>
        <input id="name" name="name" autocomplete="username" required autofocus value={name ?? ''} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
      <p class="faint">
        Accounts are in the config file: <code>radar users add NAME</code>.
      </p>
    </div>
  </Layout>
);
