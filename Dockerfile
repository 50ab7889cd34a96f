# Fleetsim's CLI as a container image: `docker run fleetsim:dev run scenario.json …`.
# Electron is a devDependency only: the CLI, its device hosts and the embedded target run on plain Node,
# so the runtime stage keeps production dependencies and the bundles in dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# No install scripts: electron's would download a browser build the CLI never uses; esbuild runs
# from its platform package. The build is run explicitly below (prepare would run it too).
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY electron.config.ts tsconfig.json ./
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
COPY renderer ./renderer
COPY assets ./assets
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && find node_modules -depth -type d -empty -delete

FROM node:20-bookworm-slim
WORKDIR /opt/fleetsim
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
# A non-root user whose home holds the default runs directory; /runs is where pods record (--record /runs).
RUN ln -s /opt/fleetsim/bin/fleetsim.mjs /usr/local/bin/fleetsim \
 && groupadd --system --gid 10001 fleetsim \
 && useradd --system --uid 10001 --gid fleetsim --create-home --home-dir /home/fleetsim fleetsim \
 && mkdir -p /runs && chown fleetsim:fleetsim /runs
USER 10001:10001
ENV NODE_ENV=production
VOLUME ["/runs"]
EXPOSE 9464
ENTRYPOINT ["fleetsim"]
CMD ["help"]
