<?php

declare(strict_types=1);

namespace Drupal\weather_station\Form;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Config\TypedConfigManagerInterface;
use Drupal\Core\Form\ConfigFormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Queue\QueueFactory;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Configures the station API, the list of stations and alert thresholds.
 */
final class WeatherStationSettingsForm extends ConfigFormBase {

  /**
   * Constructs a new WeatherStationSettingsForm object.
   */
  public function __construct(
    ConfigFactoryInterface $config_factory,
    TypedConfigManagerInterface $typed_config_manager,
    private readonly QueueFactory $queueFactory,
  ) {
    parent::__construct($config_factory, $typed_config_manager);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('config.factory'),
      $container->get('config.typed'),
      $container->get('queue'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'weather_station_settings';
  }

  /**
   * {@inheritdoc}
   */
  protected function getEditableConfigNames(): array {
    return ['weather_station.settings'];
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $stations = $this->config('weather_station.settings')->get('stations') ?? [];
    $lines = array_map(static fn(array $station): string => $station['id'] . '|' . $station['label'], $stations);
    $form['api_endpoint'] = [
      '#type' => 'url',
      '#title' => $this->t('Station API endpoint'),
      '#required' => TRUE,
      '#config_target' => 'weather_station.settings:api_endpoint',
    ];
    $form['api_key'] = [
      '#type' => 'textfield',
      '#title' => $this->t('API key'),
      '#config_target' => 'weather_station.settings:api_key',
    ];
    $form['stations'] = [
      '#type' => 'textarea',
      '#title' => $this->t('Stations'),
      '#description' => $this->t('One station per line as <em>machine_name|Name</em>, for example <em>harbour|Harbour pier</em>. Polls waiting for the next cron run: @count.', [
        '@count' => $this->queueFactory->get('weather_station_poll')->numberOfItems(),
      ]),
      '#default_value' => implode("\n", $lines),
    ];
    $form['units'] = [
      '#type' => 'radios',
      '#title' => $this->t('Display units'),
      '#options' => ['metric' => $this->t('Metric (°C)'), 'imperial' => $this->t('Imperial (°F)')],
      '#config_target' => 'weather_station.settings:units',
    ];
    $thresholds = [
      'heat_threshold' => [$this->t('Heat warning from'), '°C'],
      'wind_threshold' => [$this->t('Storm warning from'), 'm/s'],
    ];
    foreach ($thresholds as $key => [$title, $unit]) {
      $form[$key] = [
        '#type' => 'number',
        '#title' => $title,
        '#field_suffix' => $unit,
        '#step' => 0.5,
        '#config_target' => 'weather_station.settings:' . $key,
      ];
    }
    return parent::buildForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    foreach ($this->parseStations((string) $form_state->getValue('stations')) as $line => $station) {
      if ($station === NULL) {
        $form_state->setErrorByName('stations', $this->t('The line %line is not in the form machine_name|Name.', ['%line' => $line]));
      }
    }
    parent::validateForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    // The #config_target elements are saved by the parent.
    $this->config('weather_station.settings')
      ->set('stations', array_values($this->parseStations((string) $form_state->getValue('stations'))))
      ->save();
    parent::submitForm($form, $form_state);
  }

  /**
   * Parses "machine_name|Name" lines; invalid lines map to NULL.
   */
  private function parseStations(string $input): array {
    $stations = [];
    foreach (array_filter(array_map('trim', preg_split('/\R/', $input))) as $line) {
      $stations[$line] = preg_match('/^([a-z0-9_-]+)\|(.+)$/', $line, $match)
        ? ['id' => $match[1], 'label' => trim($match[2])]
        : NULL;
    }
    return $stations;
  }

}
