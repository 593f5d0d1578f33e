<?php

declare(strict_types=1);

namespace Drupal\weather_station\Plugin\Block;

use Drupal\Core\Block\Attribute\Block;
use Drupal\Core\Block\BlockBase;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\weather_station\AlertEvaluator;
use Drupal\weather_station\ReadingRepository;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Shows the latest reading of one station as a weather tile.
 */
#[Block(
  id: 'weather_station_current_conditions',
  admin_label: new TranslatableMarkup('Current weather conditions'),
  category: new TranslatableMarkup('Weather'),
)]
class CurrentConditionsBlock extends BlockBase implements ContainerFactoryPluginInterface {

  /**
   * Constructs a new CurrentConditionsBlock object.
   */
  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly ReadingRepository $readings,
    protected readonly AlertEvaluator $alerts,
    protected readonly ConfigFactoryInterface $configFactory,
    protected readonly DateFormatterInterface $dateFormatter,
  ) {
    parent::__construct($configuration, $plugin_id, $plugin_definition);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    return new static(
      $configuration,
      $plugin_id,
      $plugin_definition,
      $container->get('weather_station.reading_repository'),
      $container->get('weather_station.alert_evaluator'),
      $container->get('config.factory'),
      $container->get('date.formatter'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function defaultConfiguration(): array {
    return ['station' => ''] + parent::defaultConfiguration();
  }

  /**
   * {@inheritdoc}
   */
  public function blockForm($form, FormStateInterface $form_state): array {
    $options = [];
    foreach ($this->configFactory->get('weather_station.settings')->get('stations') ?? [] as $station) {
      $options[$station['id']] = $station['label'];
    }
    $form['station'] = [
      '#type' => 'select',
      '#title' => $this->t('Station'),
      '#options' => $options,
      '#required' => TRUE,
      '#default_value' => $this->configuration['station'],
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function blockSubmit($form, FormStateInterface $form_state): void {
    $this->configuration['station'] = $form_state->getValue('station');
  }

  /**
   * {@inheritdoc}
   */
  public function build(): array {
    $reading = $this->readings->latest($this->configuration['station']);
    if ($reading === NULL) {
      return ['#markup' => $this->t('No readings have been received from this station yet.')];
    }
    $settings = $this->configFactory->get('weather_station.settings');
    $units = (string) $settings->get('units');
    $labels = array_column($settings->get('stations') ?? [], 'label', 'id');
    $build = [
      '#type' => 'component',
      '#component' => 'weather_station:weather-tile',
      '#props' => [
        'station' => $labels[$reading->station] ?? $reading->station,
        'temperature' => $reading->temperatureIn($units),
        'unit' => $units === 'imperial' ? '°F' : '°C',
        'humidity' => $reading->humidity,
        'wind_speed' => $reading->windSpeed,
        'observed' => $this->dateFormatter->format($reading->observed, 'custom', 'H:i'),
      ],
    ];
    if ($headline = $this->alerts->headline($reading)) {
      $build['#slots']['alerts'] = [
        '#type' => 'component',
        '#component' => 'weather_station:alert-banner',
        '#props' => ['level' => 'warning', 'message' => (string) $headline],
      ];
    }
    return $build;
  }

  /**
   * {@inheritdoc}
   */
  public function getCacheMaxAge(): int {
    // Stations report every ten minutes.
    return 600;
  }

}
