import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  ConfigValidationError,
  coreVariables,
  databaseVariables,
  defineConfig,
  DatabaseConfig,
  httpVariables,
  InjectConfig,
  loadConfig,
  PlatformConfigModule,
  PlatformConfigService,
  redactSecretValues,
  type ConfigOf,
} from '@switchboard/platform';

const AppConfig = defineConfig({ ...coreVariables, ...httpVariables, ...databaseVariables }, 'AppConfig');
const FeatureConfig = defineConfig({ PORT: httpVariables.PORT }, 'FeatureConfig');

@Injectable()
class Consumer {
  constructor(@InjectConfig(FeatureConfig) readonly config: ConfigOf<typeof FeatureConfig>) {}
}

@Module({
  imports: [PlatformConfigModule.forFeature(FeatureConfig)],
  providers: [Consumer],
  exports: [Consumer],
})
class FeatureModule {}

describe('PlatformConfigModule', () => {
  it('provides the root config under its token and slices to feature modules', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PlatformConfigModule.forRoot(AppConfig, { env: { PORT: '4000' } }), FeatureModule],
    }).compile();
    expect(moduleRef.get<ConfigOf<typeof AppConfig>>(AppConfig.token).PORT).toBe(4000);
    expect(moduleRef.get(Consumer).config).toEqual({ PORT: 4000 });
    expect(moduleRef.get(PlatformConfigService).get(DatabaseConfig).DATABASE_POOL_SIZE).toBe(10);
  });

  it('stops start-up on invalid configuration', async () => {
    await expect(
      Test.createTestingModule({
        imports: [PlatformConfigModule.forRoot(AppConfig, { env: { PORT: 'eighty' } })],
      }).compile(),
    ).rejects.toThrow(ConfigValidationError);
  });

  it('applies overrides on top of the environment', () => {
    const config = loadConfig(AppConfig, { env: { PORT: '1' }, overrides: { PORT: '2' } });
    expect(config.values.PORT).toBe(2);
  });
});

describe('PlatformConfigService', () => {
  it('refuses a slice the root definition lacks, naming the variables', () => {
    const config = loadConfig(defineConfig({ ...coreVariables }), { env: {} });
    expect(() => config.get(DatabaseConfig)).toThrow(/lacks DATABASE_URL, DATABASE_POOL_SIZE/);
  });

  it('registers sensitive values for redaction and masks them in describe()', () => {
    const url = 'postgres://app:s3cr3t-password@db:5432/app';
    const config = loadConfig(AppConfig, { env: { DATABASE_URL: url } });
    expect(config.describe()).toMatchObject({ DATABASE_URL: '[Redacted]', PORT: 3000 });
    expect(redactSecretValues(`failed: ${url}`)).toBe('failed: [Redacted]');
    expect(redactSecretValues('password s3cr3t-password rejected')).toBe('password [Redacted] rejected');
  });
});
