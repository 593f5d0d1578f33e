<?php

declare(strict_types=1);

namespace Drupal\job_board\Plugin\Block;

use Drupal\Core\Block\Attribute\Block;
use Drupal\Core\Block\BlockBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\job_board\JobListingRepository;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Shows the newest open job postings as cards, optionally for one job type.
 */
#[Block(
  id: 'job_board_latest_jobs',
  admin_label: new TranslatableMarkup('Latest job openings'),
  category: new TranslatableMarkup('Job board'),
)]
class LatestJobsBlock extends BlockBase implements ContainerFactoryPluginInterface {

  /**
   * Constructs a new LatestJobsBlock object.
   */
  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly JobListingRepository $jobListings,
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
      $container->get(JobListingRepository::class),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function defaultConfiguration(): array {
    return ['limit' => 5, 'employment_type' => ''] + parent::defaultConfiguration();
  }

  /**
   * {@inheritdoc}
   */
  public function blockForm($form, FormStateInterface $form_state): array {
    $form['limit'] = [
      '#type' => 'number',
      '#title' => $this->t('Number of postings'),
      '#min' => 1,
      '#max' => 20,
      '#default_value' => $this->configuration['limit'],
    ];
    $form['employment_type'] = [
      '#type' => 'select',
      '#title' => $this->t('Employment type'),
      '#options' => [
        'full_time' => $this->t('Full time'),
        'part_time' => $this->t('Part time'),
        'contract' => $this->t('Contract'),
      ],
      '#empty_option' => $this->t('- Any -'),
      '#default_value' => $this->configuration['employment_type'],
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function blockSubmit($form, FormStateInterface $form_state): void {
    $this->configuration['limit'] = (int) $form_state->getValue('limit');
    $this->configuration['employment_type'] = (string) $form_state->getValue('employment_type');
  }

  /**
   * {@inheritdoc}
   */
  public function build(): array {
    $type = $this->configuration['employment_type'] ?: NULL;
    $build = ['#cache' => ['tags' => ['node_list']]];
    foreach ($this->jobListings->loadOpen((int) $this->configuration['limit'], $type) as $node) {
      $build[$node->id()] = [
        '#type' => 'component',
        '#component' => 'job_board:job-card',
        '#props' => [
          'title' => $node->label(),
          'url' => $node->toUrl()->toString(),
          'company' => $node->get('field_company')->value,
          'location' => $node->get('field_location')->value,
          'closing_date' => $node->get('field_closing_date')->value,
        ],
      ];
    }
    if (count($build) === 1) {
      $build['empty'] = ['#markup' => $this->t('There are no open positions right now.')];
    }
    return $build;
  }

}
