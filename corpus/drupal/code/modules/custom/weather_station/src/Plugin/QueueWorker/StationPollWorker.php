<?php

declare(strict_types=1);

namespace Drupal\weather_station\Plugin\QueueWorker;

use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\Queue\Attribute\QueueWorker;
use Drupal\Core\Queue\QueueWorkerBase;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\weather_station\AlertEvaluator;
use Drupal\weather_station\ReadingRepository;
use Drupal\weather_station\StationClient;
use Psr\Log\LoggerInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Fetches the latest observation of a station and stores it.
 *
 * Each queue item names one station; new readings that cross an alert
 * threshold are logged as warnings.
 */
#[QueueWorker(
  id: 'weather_station_poll',
  title: new TranslatableMarkup('Poll weather stations'),
  cron: ['time' => 60],
)]
class StationPollWorker extends QueueWorkerBase implements ContainerFactoryPluginInterface {

  /**
   * Constructs a new StationPollWorker object.
   */
  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly StationClient $client,
    protected readonly ReadingRepository $readings,
    protected readonly AlertEvaluator $alerts,
    protected readonly LoggerInterface $logger,
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
      $container->get('weather_station.client'),
      $container->get('weather_station.reading_repository'),
      $container->get('weather_station.alert_evaluator'),
      $container->get('logger.channel.weather_station'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function processItem($data): void {
    $reading = $this->client->fetchLatest($data['station']);
    // The client has logged why no reading came back; the next cron run
    // queues the station again.
    if ($reading === NULL || !$this->readings->save($reading)) {
      return;
    }
    foreach ($this->alerts->evaluate($reading) as $alert) {
      $this->logger->warning('Station @station: @alert', [
        '@station' => $reading->station,
        '@alert' => $alert,
      ]);
    }
  }

}
