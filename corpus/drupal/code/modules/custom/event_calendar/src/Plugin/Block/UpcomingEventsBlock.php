<?php

declare(strict_types=1);

namespace Drupal\event_calendar\Plugin\Block;

use Drupal\Core\Block\Attribute\Block;
use Drupal\Core\Block\BlockBase;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\event_calendar\EventRepositoryInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Lists the next few events as event cards.
 */
#[Block(
  id: 'event_calendar_upcoming',
  admin_label: new TranslatableMarkup('Upcoming events'),
  category: new TranslatableMarkup('Event calendar'),
)]
class UpcomingEventsBlock extends BlockBase implements ContainerFactoryPluginInterface {

  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly EventRepositoryInterface $events,
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
      $container->get('event_calendar.event_repository'),
      $container->get('date.formatter'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function defaultConfiguration(): array {
    return ['count' => 3] + parent::defaultConfiguration();
  }

  /**
   * {@inheritdoc}
   */
  public function blockForm($form, FormStateInterface $form_state): array {
    $form['count'] = [
      '#type' => 'number',
      '#title' => $this->t('Number of events'),
      '#min' => 1,
      '#max' => 12,
      '#default_value' => $this->configuration['count'],
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function blockSubmit($form, FormStateInterface $form_state): void {
    $this->configuration['count'] = (int) $form_state->getValue('count');
  }

  /**
   * {@inheritdoc}
   */
  public function build(): array {
    $build = [
      '#cache' => ['tags' => ['node_list:event'], 'max-age' => 3600],
    ];
    foreach ($this->events->upcoming((int) $this->configuration['count']) as $nid => $event) {
      $start = strtotime($event->get('field_event_date')->value . ' UTC');
      $build[$nid] = [
        '#type' => 'component',
        '#component' => 'event_calendar:event-card',
        '#props' => [
          'title' => $event->label(),
          'url' => $event->toUrl()->toString(),
          'date' => $this->dateFormatter->format($start, 'medium'),
          'venue' => $event->get('field_venue')->value ?? '',
        ],
      ];
    }
    if (count($build) === 1) {
      $build['empty'] = ['#markup' => $this->t('No events are scheduled yet.')];
    }
    return $build;
  }

}
